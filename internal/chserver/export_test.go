package chserver

// WriteConfig lets the tests start a server the way an earlier owner did.
var WriteConfig = writeConfig

// ServerPIDFile is where an owner records its server's pid.
const ServerPIDFile = serverPIDFile
