variable "cluster_name" {
  type = string
}
