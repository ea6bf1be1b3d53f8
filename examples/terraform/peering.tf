# north generates the peering token, arctic establishes the peering with it.
resource "consul_peering_token" "north_arctic" {
  provider  = consul.north
  peer_name = "arctic"
}

resource "consul_peering" "arctic_north" {
  provider      = consul.arctic
  peer_name     = "north"
  peering_token = consul_peering_token.north_arctic.peering_token
}
