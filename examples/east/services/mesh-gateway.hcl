# The mesh gateway peers dial, and through which east's proxies reach peers.
service {
  name = "mesh-gateway"
  kind = "mesh-gateway"
  port = 8443

  tagged_addresses {
    lan {
      address = "10.10.1.20"
      port    = 8443
    }
    wan {
      address = "203.0.113.20"
      port    = 8443
    }
  }
}
