service {
  name = "billing"
  port = 7070

  connect {
    sidecar_service {
      proxy {
        upstreams {
          destination_nmae = "postgres"
          local_bind_port  = 5433
        }
      }
    }
  }
}
