# payments runs in east and is exported to the west peer.
service {
  name = "payments"
  port = 9001

  connect {
    sidecar_service {}
  }
}
