services {
  name = "mesh-gateway"
  kind = "mesh-gateway"
  port = 4432
}
