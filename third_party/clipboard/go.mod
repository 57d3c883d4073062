module github.com/atotto/clipboard
go 1.21 // a change made for berth: upstream names no version
