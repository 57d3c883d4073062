package api

// imageRoutes are the endpoints of this family; a file of its own.
func (s *Server) imageRoutes() []route { return nil }
