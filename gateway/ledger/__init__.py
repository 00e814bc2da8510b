"""bcmlp's business records as the chaincode stores them, and what is derived from them."""
