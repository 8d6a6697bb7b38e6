"""Reading inputs: archives to label and labelled data to train on."""
