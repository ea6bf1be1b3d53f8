service {
  name = "web"
  port = 8080
  connect {
    sidecar_service {
      proxy {
        upstreams = [
          {
            destination_name = "api"
            destination_peer = "dc1"
            local_bind_port  = 9191
          }
        ]
      }
    }
  }
}
