# billing reads stock levels from inventory, which runs in the west peer.
service {
  name = "billing"
  port = 9010

  connect {
    sidecar_service {
      proxy {
        upstreams = [
          {
            destination_name = "inventory"
            destination_peer = "west"
            local_bind_port  = 9101
          }
        ]
      }
    }
  }
}
