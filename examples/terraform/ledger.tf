# ledger runs in north and is offered to arctic's auditor.
resource "consul_config_entry" "north_exports" {
  provider = consul.north
  kind     = "exported-services"
  name     = "default"

  config_json = jsonencode({
    Services = [
      {
        Name      = "ledger"
        Consumers = [{ Peer = "arctic" }]
      }
    ]
  })
}
