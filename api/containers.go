package api

// containerRoutes are the endpoints of this family; a file of its own.
func (s *Server) containerRoutes() []route { return nil }
