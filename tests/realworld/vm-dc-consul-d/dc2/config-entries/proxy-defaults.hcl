Kind = "proxy-defaults"
Name = "global"
MeshGatway {
  Mode = "local"
}
