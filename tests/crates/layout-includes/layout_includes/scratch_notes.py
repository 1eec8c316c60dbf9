SECRET = "left out by exclude"
