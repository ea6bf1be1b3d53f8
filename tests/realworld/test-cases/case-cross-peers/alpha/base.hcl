primary_datacenter = "alpha"
log_level          = "trace"
peering {
  enabled = true
}
