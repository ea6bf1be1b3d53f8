datacenter = "dc1"
data_dir   = "/opt/consul"
encrypt    = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="
retry_join = ["10.0.1.10", "10.0.1.11", "10.0.1.12"]
log_level  = "INFO"

acl {
  enabled                  = true
  default_policy           = "deny"
  enable_token_persistence = true
}

ports {
  grpc = 8502
}
