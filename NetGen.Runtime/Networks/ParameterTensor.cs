namespace NetGen;

/// <summary>
/// One named parameter tensor inside a network's flat parameter buffer.
/// </summary>
/// <param name="Name">PyTorch-style name, e.g. <c>F5.weight</c>.</param>
/// <param name="Shape">Shape in PyTorch's layout (<c>[out, in]</c> for a dense weight), as written to checkpoints.</param>
/// <param name="Offset">Start in <see cref="INetwork.Parameters"/>.</param>
/// <param name="Length">Number of floats (the product of <paramref name="Shape"/>).</param>
/// <param name="Transposed">True when the buffer stores the 2-D tensor transposed (<c>[in, out]</c>, the layout the
/// forward GEMM reads fastest); checkpoints transpose on write and read.</param>
public sealed record ParameterTensor(string Name, int[] Shape, int Offset, int Length, bool Transposed);
