service {
  name = "dashboard"
  port = 9002

  connect {
    sidecar_service {
      proxy {
        upstreams {
          destination_name = "counting"
          local_bind_port  = 5000
        }
        expose {
          checks = true
          paths {
            path            = "/healthz"
            local_path_port = 9002
            listener_port   = 21500
            protocol        = "http"
          }
        }
      }
    }
  }

  checks {
    id       = "dashboard-check"
    http     = "http://localhost:9002/health"
    method   = "GET"
    interval = "1s"
    timeout  = "1s"
  }
}
