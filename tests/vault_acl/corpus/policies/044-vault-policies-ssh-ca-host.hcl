path "ssh-*/config/ca" {
  policy = "read"
}
