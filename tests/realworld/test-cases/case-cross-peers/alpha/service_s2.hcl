services {
  name = "s2"
  port = 8181
  connect {
    sidecar_service {}
  }
}
