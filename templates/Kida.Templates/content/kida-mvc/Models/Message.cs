using System.ComponentModel.DataAnnotations;

namespace KidaMvc.Models;

/// <summary>The form on the home page.</summary>
public sealed class Message
{
    /// <summary>The text to post.</summary>
    [Required(ErrorMessage = "Write something first."), StringLength(200)]
    public string? Text { get; set; }
}
