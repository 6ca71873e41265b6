"""Offline music tooling for the recommender: the synthesised default catalogue, MFCC
features (librosa) and the nearest-neighbour index build and comparison. Needs the `music`
extra; the recommender's serving path never imports it."""
