resource "consul_config_entry" "north_mesh" {
  provider = consul.north
  kind     = "mesh"
  name     = "mesh"

  config_json = jsonencode({
    Peering = { PeerThroughMeshGateways = true }
  })
}

resource "consul_config_entry" "arctic_mesh" {
  provider = consul.arctic
  kind     = "mesh"
  name     = "mesh"

  config_json = jsonencode({
    Peering = { PeerThroughMeshGateways = true }
  })
}

resource "consul_config_entry" "north_proxy_defaults" {
  provider = consul.north
  kind     = "proxy-defaults"
  name     = "global"

  config_json = jsonencode({
    Config      = { protocol = "http" }
    MeshGateway = { Mode = "local" }
  })
}

resource "consul_config_entry" "arctic_proxy_defaults" {
  provider = consul.arctic
  kind     = "proxy-defaults"
  name     = "global"

  config_json = jsonencode({
    Config      = { protocol = "http" }
    MeshGateway = { Mode = "local" }
  })
}
