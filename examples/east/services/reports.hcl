# reports builds the nightly stock report from inventory (west peer).
service {
  name = "reports"
  port = 9020

  connect {
    sidecar_service {
      proxy {
        upstreams = [
          {
            destination_name = "inventory"
            local_bind_port  = 9102
          }
        ]
      }
    }
  }
}
