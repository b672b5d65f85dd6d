from odps import ODPS

o2 = ODPS("LTAI5tAbCdEfGhIjKlMnOp", "secret", "retail_dw")  # !MC16
