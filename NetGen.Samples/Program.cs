using System.CommandLine;
using NetGen.Samples;

// netgen-samples: train, evaluate and query the sample networks. Every failure ends as one line on stderr and a
// non-zero exit code; a stack trace is a bug.
var model = new Option<string>("--model") { Description = "Network to use: " + string.Join(", ", ModelCatalog.Names), DefaultValueFactory = _ => "mlp" };
model.AcceptOnlyFromAmong(ModelCatalog.Names);
var data = new Option<string?>("--data") { Description = "Directory with an idx data set (train-images-idx3-ubyte[.gz], …). Default: the Fashion-MNIST subset shipped with the samples" };
var epochs = new Option<int>("--epochs") { Description = "Epochs to train", DefaultValueFactory = _ => 10 };
var batch = new Option<int>("--batch") { Description = "Mini-batch size", DefaultValueFactory = _ => 64 };
var lr = new Option<float?>("--lr") { Description = "Learning rate (default: 0.05 for sgd, 0.001 for adam/adamw)" };
var optimizer = new Option<string?>("--optimizer") { Description = "sgd (momentum 0.9), adam or adamw (default: sgd for mlp, adam for lenet, convnet and charlstm)" };
optimizer.AcceptOnlyFromAmong("sgd", "adam", "adamw");
var threads = new Option<int>("--threads") { Description = "Threads for the kernels", DefaultValueFactory = _ => Environment.ProcessorCount };
var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation and data order", DefaultValueFactory = _ => 1 };
var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file (safetensors). train writes it after every epoch; eval and predict read it. Default: runs/<model>/model.safetensors" };
var resume = new Option<string?>("--resume") { Description = "Continue training from this checkpoint" };
var json = new Option<string?>("--json") { Description = "Write a JSON summary of the run to this file" };
var output = new Option<string?>("--out") { Description = "Directory for the metrics log and the plot. Default: runs/<model>" };
var device = new Option<string>("--device") { Description = "Where train runs the steps: cpu (the generated CPU code), gpu (the generated GPU code on the first CUDA device; without one, a notice and the CPU), or gpu-emulator (the GPU code on ILGPU's CPU accelerator, slow)", DefaultValueFactory = _ => "cpu" };
device.AcceptOnlyFromAmong(GpuTraining.Devices);
var index = new Option<int>("--index") { Description = "Index of the test image to classify", DefaultValueFactory = _ => 0 };
var text = new Option<string?>("--text") { Description = "charlstm: UTF-8 text file to train on. Default: NetGen's own *.md and *.cs files, copied next to the program" };
var prompt = new Option<string>("--prompt") { Description = "Text the sample starts from", DefaultValueFactory = _ => "" };
var length = new Option<int>("--length") { Description = "Characters to generate", DefaultValueFactory = _ => 500 };
var temperature = new Option<float>("--temperature") { Description = "Sampling temperature: below 1 safer, above 1 wilder", DefaultValueFactory = _ => 0.8f };

var train = new Command("train", "Train a sample network and evaluate it on the test split after every epoch")
    { model, data, text, epochs, batch, lr, optimizer, threads, seed, checkpoint, resume, json, output, device };
train.SetAction(r => SampleCommands.Run(() => SampleCommands.Train(new TrainArguments(
    r.GetValue(model)!, r.GetValue(data), r.GetValue(epochs), r.GetValue(batch), r.GetValue(lr), r.GetValue(optimizer),
    r.GetValue(threads), r.GetValue(seed), r.GetValue(checkpoint), r.GetValue(resume), r.GetValue(json), r.GetValue(output), r.GetValue(device)!), r.GetValue(text))));

var eval = new Command("eval", "Evaluate a checkpoint on the test split") { model, data, checkpoint, threads };
eval.SetAction(r => SampleCommands.Run(() => SampleCommands.Evaluate(r.GetValue(model)!, r.GetValue(data), r.GetValue(checkpoint), r.GetValue(threads))));

var predict = new Command("predict", "Classify one test image and print the three most probable classes") { model, data, checkpoint, index };
predict.SetAction(r => SampleCommands.Run(() => SampleCommands.Predict(r.GetValue(model)!, r.GetValue(data), r.GetValue(checkpoint), r.GetValue(index))));

var image = new Option<string?>("--png") { Description = "PNG file to write. Default: runs/<model>/featuremaps-<index>.png" };
var featureMaps = new Command("featuremaps", "Draw every convolution layer's feature maps for one test image into a PNG") { model, data, checkpoint, index, image };
featureMaps.SetAction(r => SampleCommands.Run(() => FeatureMaps.Run(r.GetValue(model)!, r.GetValue(data), r.GetValue(checkpoint), r.GetValue(index), r.GetValue(image))));

var generate = new Command("generate", "Sample text from a charlstm checkpoint") { checkpoint, prompt, length, temperature, seed };
generate.SetAction(r => SampleCommands.Run(() => NetGen.Samples.Text.CharCommands.Generate(
    r.GetValue(checkpoint), r.GetValue(prompt)!, r.GetValue(length), r.GetValue(temperature), r.GetValue(seed))));

var embeddingsOut = new Option<string?>("--out") { Description = "PNG file to write. Default: runs/charlstm/embeddings.png" };
var embeddings = new Command("embeddings", "Plot a charlstm checkpoint's character embeddings (2-D PCA) to a PNG") { checkpoint, embeddingsOut };
embeddings.SetAction(r => SampleCommands.Run(() => NetGen.Samples.Text.CharCommands.Embeddings(r.GetValue(checkpoint), r.GetValue(embeddingsOut))));

var root = new RootCommand("NetGen samples: networks compiled by the NetGen source generator, trained on Fashion-MNIST or text") { train, eval, predict, featureMaps, generate, embeddings };
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine($"error: {parsed.Errors[0].Message} (see --help)");
    return 1;
}
return parsed.Invoke();
