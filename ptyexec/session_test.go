package ptyexec

func sessionHelper() int { return 0 }
