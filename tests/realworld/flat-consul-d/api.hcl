service {
  name = "api"
  port = 8080

  connect {
    sidecar_service {
      proxy {
        upstreams {
          destination_name = "counting"
          local_bind_port  = 9191
        }
        upstreams {
          destination_name = "payments"
          local_bind_port  = 9191
        }
      }
    }
  }
}
