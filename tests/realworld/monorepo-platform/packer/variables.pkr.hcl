variable "consul_version" {
  type    = string
  default = "1.17.2"
}
locals {
  timestamp = regex_replace(timestamp(), "[- TZ:]", "")
}
