service {
  name = "api"
  port = 9090

  checks {
    name     = "api-tcp"
    tcp      = "localhost:9090"
    interval = "10s"
  }
  checks {
    name     = "api-http"
    http     = "http://localhost:9090/ready"
    interval = "10s"
  }

  connect {
    sidecar_service {
      proxy {
        upstreams {
          destination_name = "postgres"
          local_bind_port  = 5432
        }
        upstreams {
          destination_name = "billing"
          local_bind_port  = 9292
        }
        expose {
          paths {
            path            = "/metrics"
            local_path_port = 9090
            listener_port   = 20200
          }
        }
      }
    }
  }
}
