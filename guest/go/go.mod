module faultproof/guest/go

go 1.19
