service {
  name = "frontend-service"
  port = 9000
  connect {
    sidecar_service {
      proxy {
        upstreams = [
          {
            destination_name = "backend-service"
            destination_peer = "cluster-01"
            local_bind_port  = 9090
          }
        ]
      }
    }
  }
}
