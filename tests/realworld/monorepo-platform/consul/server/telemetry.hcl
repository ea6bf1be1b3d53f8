telemetry {
  prometheus_retention_time = "60s"
  disable_hostname          = true
}
log_level = "INFO"
log_json  = true
enable_debug_endpoints = false
