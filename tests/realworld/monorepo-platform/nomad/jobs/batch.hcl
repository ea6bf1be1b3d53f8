variable "image" {
  type = string
}

job "batch" {
  type        = "batch"
  datacenters = ["dc1"]
  group "run" {
    task "run" {
      driver = "docker"
      config {
        image = var.image
        args  = [for a in ["--once", "--verbose"] : a]
      }
    }
  }
}
