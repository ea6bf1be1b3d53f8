server           = true
bootstrap_expect = 1
connect {
  enabled = true
}
peering {
  enabled = true
}
ui_config {
  enabled = true
}
