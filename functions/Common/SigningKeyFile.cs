using System.Security.Cryptography;

namespace Zawaroom.Common;

/// <summary>
/// A 256-bit signing key kept in a file of the data directory: made on first use, read afterwards,
/// so tokens survive a restart. Two processes starting at once agree on the one that was written first.
/// </summary>
public static class SigningKeyFile
{
    public static byte[] LoadOrCreate(string keyFile)
    {
        if (File.Exists(keyFile)) return Read(keyFile);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            using var file = new FileStream(keyFile, FileMode.CreateNew, FileAccess.Write);
            file.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            return key;
        }
        catch (IOException) when (File.Exists(keyFile))
        {
            return Read(keyFile);
        }
    }

    static byte[] Read(string keyFile) => Convert.FromBase64String(File.ReadAllText(keyFile).Trim());
}
