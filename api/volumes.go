package api

// volumeRoutes are the endpoints of this family; a file of its own.
func (s *Server) volumeRoutes() []route { return nil }
