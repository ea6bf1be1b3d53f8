datacenter = "cluster-01"
data_dir   = "/opt/consul"
server     = true
connect {
  enabled = true
}
ports {
  grpc_tls = 8503
}
acl {
  enabled        = true
  default_policy = "deny"
}
