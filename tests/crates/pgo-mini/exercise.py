import pgo_mini

# Known value: the Collatz steps of 1..=10 are 0+1+7+2+5+8+16+3+19+6.
assert pgo_mini.collatz_total(10) == 67, pgo_mini.collatz_total(10)
assert pgo_mini.collatz_total(20000) > 0
print("ok")
