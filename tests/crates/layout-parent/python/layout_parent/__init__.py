from ._rust import where_am_i
