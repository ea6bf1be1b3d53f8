primary_datacenter = "primary"
primary_gateways   = ["consul-primary-client:4431"]
retry_interval_wan = "5s"
connect {
  enabled                            = true
  enable_mesh_gateway_wan_federation = true
}
