"""python main.py --config=configs/mnist10.py --workdir=runs/mnist10

The notebook's own goal as a record (docs/records.md): MNIST through a code of exactly
10 float32 numbers, every choice made on the validation split (the last 5,000 training
images, held out), the test split read once by `--mode=evaluate` at the end. Class
fidelity is read by the judge of configs/cnn_mnist_judge.py, trained first by its own
command into runs/cnn_mnist_judge; the autoencoder's training never sees it.

configs/conv_ae.py's network with two conv blocks at each resolution (VGG's way of
deepening) and a cosine schedule: half an epoch of warm-up to 2e-3, then half a cosine
to 0 at the last step, which spends the run at useful rates where an exponential decay
is near 0 for its last third. 20 epochs of batch 64. Its figures, time and the runs that
chose it are in docs/records.md.
"""

from configs import conv_ae


def get_config():
  config = conv_ae.get_config()
  config.data.validation_size = 5000
  config.evaluate.classifier_workdir = 'runs/cnn_mnist_judge'
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 0.5
  config.model.convs_per_block = 2
  config.num_epochs = 20
  return config
