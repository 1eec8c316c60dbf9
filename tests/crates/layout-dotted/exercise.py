from layout_dotted.sub import depth
from layout_dotted.sub.ext import depth as direct

assert depth() == direct() == 3
print("ok")
