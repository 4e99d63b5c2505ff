"""The sources the doctor's catalog cites, each written once."""

KARPATHY = "Karpathy, \"A Recipe for Training Neural Networks\" (blog post, 2019)"
KARPATHY_TWEET = ("Karpathy, \"most common neural net mistakes\" (Twitter, 1 July 2018)")
CS231N = "CS231n, \"Neural Networks Part 3: babysitting the learning process\" (Stanford)"
CS231N_PREP = "CS231n, \"Neural Networks Part 2: data preprocessing, weight initialization\""
CS231N_ACT = "CS231n, \"Neural Networks Part 1: commonly used activation functions\""
GLOROT = ("Glorot & Bengio, \"Understanding the difficulty of training deep feedforward "
           "neural networks\", AISTATS 2010")
HE = "He et al., \"Delving Deep into Rectifiers\", ICCV 2015"
LECUN = "LeCun, Bottou, Orr & Mueller, \"Efficient BackProp\" (1998)"
LI = ("Li, Chen, Hu & Yang, \"Understanding the Disharmony between Dropout and Batch "
       "Normalization by Variance Shift\", CVPR 2019")
IOFFE = "Ioffe & Szegedy, \"Batch Normalization\", ICML 2015"
PASCANU = ("Pascanu, Mikolov & Bengio, \"On the difficulty of training recurrent neural "
            "networks\", ICML 2013")
SMITH = "Smith, \"Cyclical Learning Rates for Training Neural Networks\", WACV 2017"
GOODFELLOW = "Goodfellow, Bengio & Courville, \"Deep Learning\" (MIT Press, 2016)"
BENGIO = ("Bengio, \"Practical recommendations for gradient-based training of deep "
           "architectures\" (2012)")
NIELSEN = ("Nielsen, \"Neural Networks and Deep Learning\", chapter 3: the cross-entropy cost "
           "function (2015)")
SRIVASTAVA = ("Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov, \"Dropout: A Simple "
              "Way to Prevent Neural Networks from Overfitting\", JMLR 2014")
