ui = true
disable_mlock = true

storage "consul" {
  address = "127.0.0.1:8500"
  path    = "vault/"
}

listener "tcp" {
  address     = "0.0.0.0:8200"
  tls_disable = 0
}

api_addr     = "https://vault.service.consul:8200"
cluster_addr = "https://vault.service.consul:8201"

telemetry {
  prometheus_retention_time = "30s"
}
