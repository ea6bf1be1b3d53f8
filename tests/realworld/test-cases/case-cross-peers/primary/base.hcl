peering {
  enabled = true
}
