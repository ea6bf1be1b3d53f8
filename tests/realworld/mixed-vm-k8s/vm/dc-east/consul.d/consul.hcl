datacenter = "dc-east"
data_dir   = "/opt/consul"
encrypt    = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="
retry_join = ["10.0.1.10"]
ports {
  grpc_tls = 8503
}
acl {
  enabled                  = true
  default_policy           = "deny"
  enable_token_persistence = true
}
