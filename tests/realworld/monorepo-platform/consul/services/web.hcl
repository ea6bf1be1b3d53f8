service {
  name = "web"
  port = 8080
  tags = ["frontend"]

  check {
    id       = "web-http"
    http     = "http://localhost:8080/health"
    interval = "10s"
    timeout  = "1s"
  }

  connect {
    sidecar_service {
      proxy {
        upstreams {
          destination_name = "api"
          local_bind_port  = 9191
        }
      }
    }
  }
}
