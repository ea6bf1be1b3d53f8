job "web" {
  datacenters = ["dc1"]
  group "web" {
    network {
      mode = "bridge"
    }
    service {
      name = "web"
      port = "8080"
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
    task "web" {
      driver = "docker"
      config {
        image = "acme/web:${NOMAD_META_version}"
      }
    }
  }
}
