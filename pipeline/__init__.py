"""bcmlp pipeline stages for visual metal-surface inspection, one module each: records (the data kept
with each image), synthetic (the generator), dataset (NEU-layout folders and the tf.data pipeline),
model, train, evaluate, infer and monitor; demo is what `make demo` runs."""
