service {
  name = "mesh-gateway"
  kind = "mesh-gateway"
  port = 8443
}
