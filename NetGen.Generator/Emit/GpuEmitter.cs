using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Losses;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Emit
{
    /// <summary>
    /// Writes a network's device twin, the nested class <c>Mlp.Gpu</c> (hint <c>{Namespace}.{Type}.Gpu.g.cs</c>), when the
    /// compilation references ILGPU and NetGen.Runtime.Gpu: the CPU code's layer calls with <c>Gpu</c> in front, on views
    /// of one <c>GpuNetworkState</c> laid out like the CPU buffers, and a train step that uploads the batch, launches
    /// forward, loss, backward and the optimizer update on one stream and reads the loss back. A network with a layer
    /// kind, activation or loss that has no device kernel gets no twin and an NG0300 note saying which one blocks it.
    /// </summary>
    internal sealed class GpuEmitter
    {
        private const string Type = "Gpu";
        private const string Device = "global::NetGen.Gpu.GpuDevice";
        private const string State = "global::NetGen.Gpu.GpuNetworkState";
        private const string Optimizer = "global::NetGen.Gpu.GpuOptimizer";
        private const string Network = "global::NetGen.INetwork";

        private readonly NetworkBuild _build;
        private readonly NetworkPlan _plan;
        private readonly string _network;
        private readonly SourceWriter _w = new SourceWriter();

        private GpuEmitter(NetworkBuild build, NetworkPlan plan)
        {
            _build = build;
            _plan = plan;
            string declaration = build.Type.Declaration;
            int typeParameters = declaration.IndexOf('<');
            _network = build.Type.Name + (typeParameters < 0 ? "" : declaration.Substring(typeParameters));
        }

        /// <summary>The twin's file, or no source when the compilation cannot run it (<paramref name="gpuAvailable"/> false),
        /// the network has errors, or a part of it has no device kernel (then with NG0300).</summary>
        public static GeneratedFile Emit(NetworkBuild build, bool gpuAvailable)
        {
            string hintName = (build.Type.Namespace is null ? "" : build.Type.Namespace + ".") + build.Type.MetadataName + ".Gpu.g.cs";
            if (!gpuAvailable || !build.CanEmit || build.Plan is null) return new GeneratedFile(hintName, null, default);
            string? blocker = Blocker(build, build.Plan);
            if (blocker is not null)
                return new GeneratedFile(hintName, null, EquatableArray.Create(
                    DiagnosticInfo.Create(DiagnosticDescriptors.NoGpuCode, build.Location, build.Type.Name, blocker)));
            try
            {
                return new GeneratedFile(hintName, new GpuEmitter(build, build.Plan).Write(), default);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new GeneratedFile(hintName, null, EquatableArray.Create(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError,
                    build.Location, build.Type.Name, "GPU code: " + e.GetType().Name + ": " + e.Message)));
            }
        }

        /// <summary>The layer buffers the twin allocates on the device: all of a <see cref="IGpuBufferedLayerKind"/>'s
        /// buffers, none for other kinds (their device kernels need no workspace, argmax or mask).</summary>
        private static EquatableArray<LayerBuffer> DeviceBuffers(LayerPlan layer) =>
            LayerKinds.ByName(layer.Kind) is IGpuBufferedLayerKind ? layer.Buffers : default;

        /// <summary>Why the network cannot have a device twin, or null when it can.</summary>
        private static string? Blocker(NetworkBuild build, NetworkPlan plan)
        {
            if (build.Type.Name == Type || build.Properties.Any(p => p.Name == Type))
                return "a member named '" + Type + "' takes the name of the generated GPU type";
            foreach (var layer in plan.Layers)
            {
                if (LayerKinds.ByName(layer.Kind) is not IGpuLayerKind)
                    return "layer '" + layer.Name + "' is of kind " + layer.Kind + ", which has no GPU kernels yet";
                if (GpuActivations.KernelType(layer.Activation) is null)
                    return "layer '" + layer.Name + "' uses activation " + layer.Activation + ", which has no GPU kernel yet";
                if (DeviceBuffers(layer).Any(b => b.CarriedState))
                    return "layer '" + layer.Name + "' carries state from batch to batch (Stateful), which the GPU twin does not yet";
                if (DeviceBuffers(layer).Any(b => b.FixedSize is not null))
                    return "layer '" + layer.Name + "' needs a fixed-size buffer, which the GPU twin does not allocate yet";
            }
            if (plan.Loss is not null && LossKinds.ByName(plan.Loss) is not IGpuLossKind)
                return "loss " + plan.Loss + " has no GPU kernel yet";
            return null;
        }

        private string Write()
        {
            _w.Line("// <auto-generated/>");
            _w.Line("#nullable enable");
            _w.Line();
            var scopes = new List<SourceWriter.Scope>();
            if (_build.Type.Namespace is { } ns) scopes.Add(_w.Block("namespace " + ns));
            foreach (string container in _build.Type.Containers) scopes.Add(_w.Block("partial " + container));
            using (_w.Block("partial " + _build.Type.Declaration + " : global::NetGen.Gpu.IGpuTrainable"))
            {
                _w.Line("/// <summary>Creates the device twin, <see cref=\"" + Type + "\"/>, from this network.</summary>");
                _w.Line("global::NetGen.Gpu.IGpuNetwork global::NetGen.Gpu.IGpuTrainable.CreateGpu(" + Device + " device, int maxBatch, global::NetGen.Optimizers.Optimizer? optimizer) =>");
                _w.Line("    new " + Type + "(device, maxBatch, this, optimizer);");
                _w.Line();
                WriteClassDoc();
                _w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"NetGen.Generator\", \"" + NetworkEmitter.Version + "\")]");
                using (_w.Block("public sealed class " + Type + " : global::NetGen.Gpu.IGpuNetwork"))
                {
                    _w.Line("private readonly " + Device + " _device;");
                    _w.Line("private readonly " + State + " _state;");
                    _w.Line("private readonly " + Optimizer + "? _optimizer;");
                    _w.Line("private readonly int _maxBatch;");
                    foreach (var layer in _plan.Layers)
                        foreach (var buffer in DeviceBuffers(layer))
                            _w.Line("private readonly global::NetGen.Gpu.GpuBuffer<" + buffer.ElementType + "> " + layer.BufferField(buffer) + "; // " + layer.Name + " "
                                + buffer.Name + ", " + Literals.Int(buffer.PerSample) + " per sample");
                    _w.Line();
                    WriteConstructor();
                    WriteProperties();
                    WriteForward();
                    WriteTrainSteps();
                    WriteTransfers();
                    WriteRunForward();
                    if (_plan.Loss is not null) WriteRunBackward();
                    WriteDispose();
                }
            }
            for (int i = scopes.Count - 1; i >= 0; i--) scopes[i].Dispose();
            return _w.ToString();
        }

        private void WriteDispose()
        {
            var fields = _plan.Layers.SelectMany(l => DeviceBuffers(l).Select(l.BufferField)).ToList();
            _w.Line("/// <summary>Frees every device buffer of this twin (the device itself stays open).</summary>");
            if (fields.Count == 0)
            {
                _w.Line("public void Dispose() => _state.Dispose();");
                return;
            }
            using (_w.Block("public void Dispose()"))
            {
                _w.Line("_state.Dispose();");
                foreach (string field in fields) _w.Line(field + ".Dispose();");
            }
        }

        private void WriteClassDoc()
        {
            _w.Line("/// <summary>");
            _w.Line("/// The device twin of <see cref=\"" + _build.Type.Name + "\"/> (" + string.Join(" → ", _plan.Layers.Select(l => l.Name + " " + l.Output)) + "):");
            _w.Line("/// the same layers launched in order on one <see cref=\"" + Device + "\"/> stream over flat device buffers laid out like");
            _w.Line("/// the CPU network's. A train step uploads the batch, runs forward, " + (_plan.Loss ?? "no loss") + ", backward and the optimizer update");
            _w.Line("/// on the device and reads back only the loss. The CPU network stays the master copy for initialisation and checkpoints.");
            _w.Line("/// </summary>");
        }

        private void WriteConstructor()
        {
            _w.Line("/// <summary>");
            _w.Line("/// Allocates the device buffers for batches of up to <paramref name=\"maxBatch\"/> samples and copies");
            _w.Line("/// <paramref name=\"network\"/>'s parameters (and <paramref name=\"optimizer\"/>'s state) to <paramref name=\"device\"/>.");
            _w.Line("/// </summary>");
            _w.Line("/// <param name=\"device\">The accelerator and stream every launch goes to.</param>");
            _w.Line("/// <param name=\"maxBatch\">Largest batch <see cref=\"Forward\"/> and <c>TrainStep</c> accept; independent of the CPU network's.</param>");
            _w.Line("/// <param name=\"network\">The CPU network to copy the parameters from.</param>");
            _w.Line("/// <param name=\"optimizer\"><see cref=\"global::NetGen.Optimizers.Sgd\"/> or <see cref=\"global::NetGen.Optimizers.Adam\"/> applied after every");
            _w.Line("/// <c>TrainStep</c> (its learning rate and step count are read and advanced on the host); null: <c>TrainStep</c> only computes gradients.</param>");
            using (_w.Block("public " + Type + "(" + Device + " device, int maxBatch, " + _network + " network, global::NetGen.Optimizers.Optimizer? optimizer = null)"))
            {
                _w.Line("global::System.ArgumentNullException.ThrowIfNull(device);");
                _w.Line("global::System.ArgumentNullException.ThrowIfNull(network);");
                _w.Line("if (maxBatch < 1)");
                _w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, \"maxBatch must be at least 1.\");");
                int largestBuffer = _plan.Layers.SelectMany(l => DeviceBuffers(l)).Select(b => b.PerSample).DefaultIfEmpty(0).Max();
                int perSample = Math.Max(largestBuffer, _plan.ActivationsPerSample);
                _w.Line("if (maxBatch > int.MaxValue / " + Literals.Int(perSample) + ")");
                _w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "
                    + Literals.String("maxBatch × " + Literals.Int(perSample) + (largestBuffer > _plan.ActivationsPerSample ? " floats per sample in a layer buffer" : " activations per sample")
                        + " must fit in one buffer; use a smaller maxBatch.") + ");");
                _w.Line("_device = device;");
                _w.Line("_maxBatch = maxBatch;");
                _w.Line("_optimizer = optimizer is null ? null : new " + Optimizer + "(optimizer, " + Literals.Int(_plan.ParameterCount) + ");");
                string labelsPerSample = LossKinds.ByName(_plan.Loss) is { TargetType: "int" } loss ? loss.TargetsPerSample(_plan.Output.Output) : "1";
                string labels = labelsPerSample == "1" ? "" : ", labelsPerSample: " + labelsPerSample;
                _w.Line("_state = new " + State + "(device, network, maxBatch, maxBatch * " + Literals.Int(_plan.ActivationsPerSample) + ", maxBatch * "
                    + Literals.Int(_plan.ActivationGradientsPerSample) + ", _optimizer?.StateLength(" + Literals.Int(_plan.ParameterCount) + ") ?? 0" + labels + ");");
                foreach (var layer in _plan.Layers)
                    foreach (var buffer in DeviceBuffers(layer))
                        _w.Line(layer.BufferField(buffer) + " = device.Allocate<" + buffer.ElementType + ">(maxBatch * " + Literals.Int(buffer.PerSample) + ");");
                _w.Line("_optimizer?.UploadState(_state);");
            }
            _w.Line();
        }

        private void WriteProperties()
        {
            _w.Line("/// <inheritdoc/>");
            _w.Line("public " + Device + " Device => _device;");
            _w.Line();
            _w.Line("/// <inheritdoc/>");
            _w.Line("public " + State + " State => _state;");
            _w.Line();
            _w.Line("/// <inheritdoc/>");
            _w.Line("public " + Optimizer + "? Optimizer => _optimizer;");
            _w.Line();
            _w.Line("/// <inheritdoc/>");
            _w.Line("public int MaxBatch => _maxBatch;");
            _w.Line();
        }

        private void WriteForward()
        {
            var output = _plan.Output;
            string size = Literals.Int(output.OutputSize);
            _w.Line("/// <summary>Runs the network on <paramref name=\"batch\"/> samples of " + Literals.Int(_plan.Input.OutputSize) + " floats (" + _plan.Input.Output.WithBatch()
                + ") and copies " + output.Name + ", " + output.Output.WithBatch() + ", into <paramref name=\"output\"/> (waits for the device).</summary>");
            using (_w.Block("public void Forward(" + NetworkEmitter.ReadOnlySpan + " input, int batch, " + NetworkEmitter.Span + " output)"))
            {
                _w.Line("CheckOutput(batch, output);");
                _w.Line("_state.UploadInput(input, batch);");
                _w.Line("RunForward(batch);");
                _w.Line("_state.Activations.CopyTo(output.Slice(0, batch * " + size + "), " + PerSample(output.ActivationOffset) + ");");
            }
            _w.Line();
            _w.Line("/// <inheritdoc/>");
            using (_w.Block("public void CopyOutput(int batch, " + NetworkEmitter.Span + " output)"))
            {
                _w.Line("CheckOutput(batch, output);");
                _w.Line("_state.Activations.CopyTo(output.Slice(0, batch * " + size + "), " + PerSample(output.ActivationOffset) + ");");
            }
            _w.Line();
            _w.Line("/// <summary>Checks a batch size against <see cref=\"MaxBatch\"/> and the output's length against it.</summary>");
            using (_w.Block("private void CheckOutput(int batch, " + NetworkEmitter.Span + " output)"))
            {
                _w.Line("if (batch < 1 || batch > _maxBatch)");
                _w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(batch), batch, $\"batch must be between 1 and MaxBatch = {_maxBatch} (set by the constructor).\");");
                _w.Line("if (output.Length < batch * " + size + ")");
                _w.Line("    throw new global::System.ArgumentException($\"output has {output.Length} floats; a batch of {batch} needs {batch * "
                    + size + "} (" + size + " per sample).\", nameof(output));");
            }
            _w.Line();
        }

        private void WriteTrainSteps()
        {
            var loss = LossKinds.ByName(_plan.Loss);
            foreach (var (type, name) in NetworkEmitter.TrainStepTargets)
            {
                string parameters = "(" + NetworkEmitter.ReadOnlySpan + " input, global::System.ReadOnlySpan<" + type + "> " + name + ", int batch)";
                if (loss is null || loss.TargetType != type)
                {
                    string message = loss is null
                        ? _build.Type.Name + " has no loss: set [Network(Loss = ...)] to train it."
                        : _build.Type.Name + " is trained with " + loss.Name + ": call TrainStep with " + (loss.TargetType == "int" ? "integer class labels" : "float targets") + ".";
                    _w.Line("/// <inheritdoc/>");
                    _w.Line("float global::NetGen.Gpu.IGpuNetwork.TrainStep" + parameters + " => throw new global::System.NotSupportedException(" + Literals.String(message) + ");");
                    _w.Line();
                    continue;
                }
                WriteTrainStep(loss, parameters);
            }
        }

        private void WriteTrainStep(ILossKind loss, string parameters)
        {
            var output = _plan.Output;
            _w.Line("/// <summary>");
            _w.Line("/// One training step on <paramref name=\"batch\"/> samples, all on the device stream: upload, forward, " + loss.Name + " against");
            _w.Line("/// <paramref name=\"" + loss.TargetName + "\"/> (" + loss.TargetsPerSample(output.Output) + " per sample), backward into <see cref=\"State\"/>'s gradients, and the optimizer's");
            _w.Line("/// update when there is one. Returns the mean loss, the one value copied back.");
            _w.Line("/// </summary>");
            using (_w.Block("public float TrainStep" + parameters))
            {
                _w.Line("_state.UploadBatch(input, " + loss.TargetName + ", batch);");
                _w.Line("RunForward(batch);");
                _w.Line();
                _w.Line("// Loss · " + loss.Name + " over " + output.Name + " " + output.Output.WithBatch() + ": the mean loss into _state.Loss, its gradient into " + output.GradientLocal);
                _w.Line("var " + output.Local + " = " + ActivationView(output) + ";");
                _w.Line("var " + output.GradientLocal + " = " + GradientView(output) + ";");
                _w.Line(((IGpuLossKind)loss).GpuCall(output.Output, output.Local, output.GradientLocal) + ";");
                _w.Line();
                _w.Line("RunBackward(batch);");
                _w.Line("_optimizer?.Step(_state);");
                _w.Line("return _state.ReadLoss();");
            }
            _w.Line();
        }

        private void WriteTransfers()
        {
            _w.Line("/// <inheritdoc/>");
            using (_w.Block("public void UploadParameters(" + Network + " network)"))
            {
                _w.Line("_state.UploadParameters(network);");
                _w.Line("_optimizer?.UploadState(_state);");
            }
            _w.Line();
            _w.Line("/// <inheritdoc/>");
            using (_w.Block("public void DownloadParameters(" + Network + " network)"))
            {
                _w.Line("_state.DownloadParameters(network);");
                _w.Line("_optimizer?.DownloadState(_state);");
            }
            _w.Line();
        }

        private void WriteRunForward()
        {
            _w.Line("/// <summary>The forward pass: every layer in declaration order, launched on the device stream.</summary>");
            using (_w.Block("private void RunForward(int batch)"))
            {
                for (int i = 0; i < _plan.Layers.Count; i++)
                {
                    var layer = _plan.Layers[i];
                    if (i > 0) _w.Line();
                    NetworkEmitter.WriteLayerComment(_w, _plan, layer, forward: true);
                    _w.Line("var " + layer.Local + " = " + ActivationView(layer) + ";");
                    ((IGpuLayerKind)LayerKinds.ByName(layer.Kind)).EmitGpuForward(_w, new GpuLayerCode(_plan, layer));
                }
            }
            _w.Line();
        }

        private void WriteRunBackward()
        {
            _w.Line("/// <summary>The backward pass, last layer first: from the loss gradient in " + _plan.Output.GradientLocal + " to every parameter gradient.</summary>");
            using (_w.Block("private void RunBackward(int batch)"))
            {
                NetworkEmitter.WriteBackwardBody(_w, _plan, ActivationView, GradientView, layer =>
                {
                    if (!layer.Live)
                    {
                        _w.Line("// " + layer.Name + " · reaches no output: its gradients stay zero (cleared when the state was created)");
                        return;
                    }
                    NetworkEmitter.WriteLayerComment(_w, _plan, layer, forward: false);
                    ((IGpuLayerKind)LayerKinds.ByName(layer.Kind)).EmitGpuBackward(_w, new GpuLayerCode(_plan, layer));
                });
            }
            _w.Line();
        }

        /// <summary>A layer's activations for this batch; the input layer's are the uploaded batch itself.</summary>
        private static string ActivationView(LayerPlan layer) =>
            LayerKinds.ByName(layer.Kind).IsInput
                ? "_state.Input.Slice(0, batch * " + Literals.Int(layer.OutputSize) + ")"
                : "_state.Activations.Slice(" + PerSample(layer.ActivationOffset) + ", batch * " + Literals.Int(layer.OutputSize) + ")";

        private static string GradientView(LayerPlan layer) =>
            "_state.ActivationGradients.Slice(" + PerSample(layer.GradientOffset) + ", batch * " + Literals.Int(layer.OutputSize) + ")";

        /// <summary><c>_maxBatch * 784</c>, or <c>0</c>.</summary>
        private static string PerSample(int offset) => offset == 0 ? "0" : "_maxBatch * " + Literals.Int(offset);
    }
}
